"""Playing finished policies: greedy episodes, their returns, and a rendered strip."""

from __future__ import annotations

import numpy as np


def play(act, env, episodes: int, seed: int, render_frames: int = 0):
    """Plays `episodes` episodes with `act(observation) -> action`; returns and frames.

    Episode ``k`` resets with seed ``seed + k``, so the same seed plays the same
    episodes. `act` is called with one observation and may keep state between calls;
    it gets ``None`` at each episode's start (to reset it). With `render_frames`, the
    first episode's frames (the environment renders ``rgb_array``) are kept, at most
    that many, evenly spaced.
    """
    returns, frames = [], []
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        act(None)
        total, done = 0.0, False
        while not done:
            if render_frames and episode == 0:
                frames.append(env.render())
            observation, reward, terminated, truncated, _ = env.step(act(observation))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    if frames:
        keep = np.unique(np.linspace(0, len(frames) - 1, render_frames).round().astype(int))
        frames = [frames[index] for index in keep]
    return np.asarray(returns), frames


def frame_strip(frames, height: int = 120) -> np.ndarray:
    """Frames side by side, each scaled to `height` pixels: `[height, W, 3]` in [0, 1]."""
    from PIL import Image

    scaled = []
    for frame in frames:
        image = Image.fromarray(np.asarray(frame, np.uint8))
        width = max(1, round(image.width * height / image.height))
        scaled.append(np.asarray(image.resize((width, height), Image.BILINEAR)))
        scaled.append(np.full((height, 2, 3), 255, np.uint8))  # a white gap
    return np.concatenate(scaled[:-1], axis=1).astype(np.float32) / 255.0


def save_gif(path, frames, milliseconds: int = 50) -> None:
    """The frames as an animated GIF (Pillow)."""
    from PIL import Image

    images = [Image.fromarray(np.asarray(frame, np.uint8)) for frame in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=milliseconds,
                   loop=0)
