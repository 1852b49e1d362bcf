"""Map pages and the GeoJSON layers their browsers fetch."""
