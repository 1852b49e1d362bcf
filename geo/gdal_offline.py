"""GDAL (through pyogrio) and PROJ kept off the network for the whole process, set at import (and again by create_app).

File readers never reach the network: a GeoJSON whose "crs" is a link makes GDAL fetch that URL
(OGRSpatialReference::importFromUrl, each time the file is opened), and a path such as /vsicurl/http://... makes it
read one. GDAL 3.12 has no configuration option that turns networking off (its list of known options
has none; measured with pyogrio 0.13 / GDAL 3.12.4, the crs link is still fetched with any of
CPL_VSIL_CURL_ALLOWED_FILENAME, CPL_VSIL_CURL_ALLOWED_EXTENSIONS, GDAL_DISABLE_READDIR_ON_OPEN,
GDAL_HTTP_MAX_RETRY, GDAL_HTTP_TIMEOUT, GDAL_HTTP_CONNECTTIMEOUT, CPL_CURL_ENABLE_VSIMEM or PROJ_NETWORK
set; a GDAL_HTTP_PROXY that points nowhere would stop it, as a hack), so the two ways GDAL reaches the
network are each closed at their root:

1. The /vsicurl/ family (/vsicurl/, /vsicurl_streaming/, /vsis3/, /vsigs/, /vsiaz/, /vsiadls/,
   /vsioss/, /vsiwebhdfs/ and plain "http://" names, which GDAL turns into /vsicurl/):
   CPL_VSIL_CURL_ALLOWED_FILENAME set to a name that no remote file can have. GDAL opens a network
   file only when its name equals that option, so every one is refused before a connection is made.
2. Every other request (drivers and the CRS reader) goes through CPLHTTPFetch. GDAL's own hook
   CPLHTTPSetFetchCallback replaces its network layer for every thread; ours answers each request
   with an error at once, never connects, and keeps the refused URLs (refused_urls) for the log.

PROJ: PROJ_NETWORK=OFF for GDAL's PROJ context, and pyproj's own networking off (grids are never
downloaded). Not closed: /vsiswift/ still lists a container when refused by (1) (measured), but it
has somewhere to connect only when SWIFT_STORAGE_URL or SWIFT_AUTH_V1_URL is configured, which this
application never does.

network_forbidden() checks all of this without touching the network (the probe URL has a scheme
curl does not know, so even without our callback nothing would leave the process); create_app
calls forbid_network() and refuses to start when it does not hold.
"""

from __future__ import annotations

import collections
import ctypes
import logging
import threading

import pyogrio
import pyogrio._ogr
import pyproj.network

log = logging.getLogger(__name__)

NO_NETWORK_FILENAME = "/cammina-no-network/"
"""The only name GDAL's /vsicurl/ family may open: no URL is ever spelled like this."""
GDAL_OPTIONS = {"CPL_VSIL_CURL_ALLOWED_FILENAME": NO_NETWORK_FILENAME, "PROJ_NETWORK": "OFF"}
REFUSAL = b"network access is disabled for GDAL in this application (file readers never reach the network)"
_PROBE_URL = b"cammina-offline-probe://check"


class CPLHTTPResult(ctypes.Structure):
    """GDAL's cpl_http.h CPLHTTPResult (unchanged since GDAL 2)."""

    _fields_ = [
        ("nStatus", ctypes.c_int),
        ("pszContentType", ctypes.c_void_p),
        ("pszErrBuf", ctypes.c_void_p),
        ("nDataLen", ctypes.c_int),
        ("nDataAlloc", ctypes.c_int),
        ("pabyData", ctypes.c_void_p),
        ("papszHeaders", ctypes.c_void_p),
        ("nMimePartCount", ctypes.c_int),
        ("pasMimePart", ctypes.c_void_p),
    ]


_FETCH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_void_p,  # CPLHTTPResult*
    ctypes.c_char_p,  # URL
    *[ctypes.c_void_p] * 6,  # options, progress function and argument, write function and argument, user data
)
_refused: collections.deque[str] = collections.deque(maxlen=100)
_calls = [0]  # requests refused since start, the probe's included
_lock = threading.Lock()
_gdal = None
_callback = None


def _library():
    """The GDAL library pyogrio is linked with (symbols found through its extension module)."""
    library = ctypes.CDLL(pyogrio._ogr.__file__)
    library.CPLCalloc.restype = ctypes.c_void_p
    library.CPLCalloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
    library.CPLStrdup.restype = ctypes.c_void_p
    library.CPLStrdup.argtypes = [ctypes.c_char_p]
    library.CPLHTTPSetFetchCallback.restype = None
    library.CPLHTTPSetFetchCallback.argtypes = [_FETCH_CALLBACK, ctypes.c_void_p]
    library.CPLHTTPFetch.restype = ctypes.c_void_p
    library.CPLHTTPFetch.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    library.CPLHTTPDestroyResult.restype = None
    library.CPLHTTPDestroyResult.argtypes = [ctypes.c_void_p]
    return library


def _refuse(url, _options, _progress, _progress_arg, _write, _write_arg, _user_data):
    """GDAL's network layer, replaced: a failed result (allocated by GDAL, freed by GDAL) at once."""
    text = (url or b"").decode("utf-8", "replace")
    _calls[0] += 1
    if url != _PROBE_URL:
        _refused.append(text)
        log.warning("GDAL asked for %s: refused, file readers never reach the network", text[:300])
    result = _gdal.CPLCalloc(1, ctypes.sizeof(CPLHTTPResult))
    fields = CPLHTTPResult.from_address(result)
    fields.nStatus = 1  # any non-zero curl code: the request failed
    fields.pszErrBuf = _gdal.CPLStrdup(REFUSAL)
    return result


def forbid_network() -> None:
    """Keep GDAL and PROJ off the network for this whole process (idempotent: it also puts back what
    another library may have changed since), then check it.

    RuntimeError when it cannot be put in force (e.g. a GDAL without the callback hook)."""
    global _gdal, _callback
    with _lock:
        pyogrio.set_gdal_config_options(GDAL_OPTIONS)
        pyproj.network.set_network_enabled(False)
        try:
            if _callback is None:
                _gdal = _library()
                _callback = _FETCH_CALLBACK(_refuse)  # kept referenced for as long as the process lives
            _gdal.CPLHTTPSetFetchCallback(_callback, None)  # again each time: another library may have replaced it
        except (OSError, AttributeError) as exc:  # no such library or symbol
            raise RuntimeError(f"GDAL cannot be kept off the network: {exc}") from None
    problem = offline_problem()
    if problem:
        raise RuntimeError(f"GDAL cannot be kept off the network: {problem}")


def offline_problem() -> str | None:
    """What is not in force of forbid_network's settings, in words; None when all of it is."""
    for name, value in GDAL_OPTIONS.items():
        found = pyogrio.get_gdal_config_option(name)
        if found != value and not (value == "OFF" and found is False):  # pyogrio reads OFF back as False
            return f"the GDAL option {name} is not {value!r}"
    if pyproj.network.is_network_enabled():
        return "pyproj's networking is on"
    if _gdal is None:
        return "forbid_network() was not called"
    count = _calls[0]
    result = _gdal.CPLHTTPFetch(_PROBE_URL, None)
    if result:
        _gdal.CPLHTTPDestroyResult(result)
    if _calls[0] == count:  # a probe that reaches libcurl: nothing leaves (unknown scheme), but no guard
        return "GDAL's HTTP requests do not go through the refusing callback"
    return None


def network_forbidden() -> bool:
    """True when GDAL and PROJ are kept off the network in this process."""
    return offline_problem() is None


def refused_urls() -> list[str]:
    """The URLs GDAL asked for and was refused (the latest 100), without the self-check's probes."""
    return list(_refused)


forbid_network()
