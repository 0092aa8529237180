"""Maps: folium page builders over vendored Leaflet, tile sources, GCJ-02 display shift, MBTiles tile cache.

Pure Python (no Qt). `app.ui.map_view` shows what these modules build.
"""
