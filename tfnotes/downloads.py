"""Whether a download can start: a quick look at the host, instead of a download's retries."""

import os
import socket

# keras.applications weights and tensorflow_datasets' MNIST both come from here.
DOWNLOAD_HOST = ("storage.googleapis.com", 443)


def can_download(timeout: float = 3.0, host: tuple[str, int] = DOWNLOAD_HOST) -> bool:
    """True when `host` accepts a connection within `timeout` seconds (False offline).

    Behind an HTTPS proxy (``HTTPS_PROXY``) a direct connection proves nothing, so the
    answer is True and the download itself says what went wrong.
    """
    if os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy"):
        return True
    try:
        socket.create_connection(host, timeout=timeout).close()
        return True
    except OSError:
        return False
