"""Turning style-transfer settings (paths, comma-separated lists) into arrays and names."""

from tfnotes.errors import UsageError
from tfnotes.style.images import draw_content, draw_style, load_image


def split_names(value):
    """A comma-separated string (or a list/tuple) as a tuple of stripped, non-empty names."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(item).strip() for item in items if str(item).strip())


def content_image(path, size, seed=0):
    """The content image at `path` at longest side `size`, or a synthetic drawing when None."""
    if path:
        return load_image(path, size, role="content")
    return draw_content(size, size * 3 // 4, seed=seed)


def style_images(paths, size, seed=1):
    """The style images named by `paths` (comma-separated), or one synthetic drawing when None."""
    names = split_names(paths)
    if not names:
        return [draw_style(size, size, seed=seed)]
    return [load_image(name, size, role="style") for name in names]


def style_weights(weights, count):
    """Per-style weights (None: equal), checked to be `count` positive numbers."""
    if weights is None:
        return [1.0] * count
    values = (
        list(weights)
        if isinstance(weights, (list, tuple))
        else [float(w) for w in split_names(str(weights))]
    )
    if len(values) != count or any(float(w) <= 0 for w in values):
        raise UsageError(
            f"style_weights={','.join(map(str, values))} must hold {count} positive "
            f"number(s), one per style image"
        )
    return [float(w) for w in values]
