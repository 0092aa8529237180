"""Maps: pure Python (no Qt); `app.ui.map_view` and `app.ui.route_view` show what these build.

- `casemap`, `routemap`, `page`: folium pages over the vendored assets (`assets`, resources/web/);
  data is pasted in as escaped JSON after folium renders, and drawn by `doorstep-map.js` with text
  nodes — never markup from data (`escape`).
- `tilesource`: a configurable XYZ provider (WGS-84 or GCJ-02); `geo`: the GCJ-02 display shift,
  tile numbers, distances.
- `tilecache` (MBTiles), `tilefetch` (httpx, clear errors), `tileserver` (loopback server the page
  asks for tiles), `prefetch` (the area around a day's stops: estimate, then download).
- `python -m app map-prefetch` is in `app/cli/maps.py`, on top of these.
"""
