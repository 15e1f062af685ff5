"""The public page cache's backend: Django's file cache, counting its entries on one write in CULL_EVERY.

Django's FileBasedCache lists its whole directory on every `set` to count the entries against MAX_ENTRIES. The
public cache writes new entries under every data version and reads old ones never again, so after a day or so it
always holds about MAX_ENTRIES files, and every write paid for listing them: 6 ms at 5,000 files, several times
on the first page after an edit (the first `/cases/` went from 33 to 47–49 ms in process). Counting on one write
in CULL_EVERY (per process) keeps the directory bounded (MAX_ENTRIES plus at most CULL_EVERY entries per worker)
at a hundredth of the cost. Everything else is Django's own backend.

Considered instead: python-diskcache's Django backend (SQLite-backed, constant-time culling). It would add a
dependency and fail differently when its directory cannot be written (SQLite errors where the file cache raises
OSError, which the pages already survive: cases/facets.py, `remember`). A cache server (Redis) would give up
"no server needed".
"""

import itertools
from collections import defaultdict

from django.core.cache.backends.filebased import FileBasedCache

# Writes per cache directory in this process. Django makes a cache object per thread (runserver and ASGI make one
# per request), so a count kept on the object would start again at every request and never reach CULL_EVERY.
WRITES = defaultdict(lambda: itertools.count(1))


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._cull_every = int(params.get("OPTIONS", {}).get("CULL_EVERY", 100))

    def _cull(self):
        if next(WRITES[self._dir]) % self._cull_every == 0:
            super()._cull()
