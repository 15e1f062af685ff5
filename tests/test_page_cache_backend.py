"""The public page cache's backend (tracker/cache.py): Django's file cache, its files counted on one write in
CULL_EVERY rather than on every write, and still bounded."""

from tracker.cache import FileCache


def cache_in(directory, max_entries, cull_every):
    return FileCache(str(directory), {"OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_EVERY": cull_every}})


def test_the_directory_stays_bounded(tmp_path):
    cache = cache_in(tmp_path, max_entries=20, cull_every=10)
    for n in range(500):
        cache.set(f"page:{n}", n)
        assert len(list(tmp_path.glob("*.djcache"))) <= 20 + 10
    assert cache.get("page:499") == 499  # the newest entry is there to be read


def test_files_are_counted_on_one_write_in_cull_every(tmp_path):
    # 25 writes past a limit of 20: counted at the 10th and 20th (below the limit then), so nothing was culled yet.
    cache = cache_in(tmp_path, max_entries=20, cull_every=10)
    for n in range(25):
        cache.set(f"page:{n}", n)
    assert len(list(tmp_path.glob("*.djcache"))) == 25
    for n in range(25, 30):
        cache.set(f"page:{n}", n)  # the 30th write counts 29 files and culls a third of them
    assert len(list(tmp_path.glob("*.djcache"))) == 29 - 29 // 3 + 1


def test_the_count_holds_across_the_cache_objects_of_one_process(tmp_path):
    # runserver and ASGI make a cache object per request: each writes once, and the directory is still culled.
    for n in range(60):
        cache_in(tmp_path, max_entries=20, cull_every=10).set(f"page:{n}", n)
    assert len(list(tmp_path.glob("*.djcache"))) <= 20 + 10
