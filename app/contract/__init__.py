"""The versioned wire schema between the app and head office (pydantic v2, no Qt, no SQL).

Both sides import these models; a change here is an API change: bump API_VERSION for a breaking
one, keep accepting events of EVENT_SCHEMA_VERSION and the one before (DESIGN §5).
"""

from .v1 import *  # noqa: F403
from .v1 import __all__  # noqa: F401
