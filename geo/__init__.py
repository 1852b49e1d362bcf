"""Pure geospatial computation for the directory: no Flask, no database session.

Every function takes and returns plain values (shapely geometries, numpy arrays, lists) in
EPSG:4326 longitude/latitude unless it says otherwise.
"""
