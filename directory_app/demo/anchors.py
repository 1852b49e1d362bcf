"""Places along the migration corridor around which demo organisations are generated.

(name, country, longitude, latitude, weight, spread in km). Coordinates are approximate city
centres; weights reflect where organisations that help migrants cluster: the southern Mexican
border, the Mexico-US border, US cities with large migrant communities and Central American
capitals.
"""

ANCHORS: tuple[tuple[str, str, float, float, int, float], ...] = (
    # Southern Mexico and the route north
    ("Tapachula", "MX", -92.2633, 14.9056, 12, 15),
    ("Ciudad Hidalgo", "MX", -92.1500, 14.6800, 4, 6),
    ("Tenosique", "MX", -91.4230, 17.4740, 4, 8),
    ("Palenque", "MX", -91.9820, 17.5100, 3, 8),
    ("Comitán", "MX", -92.1340, 16.2510, 3, 8),
    ("Oaxaca", "MX", -96.7266, 17.0654, 3, 10),
    ("Coatzacoalcos", "MX", -94.4580, 18.1340, 3, 10),
    ("Ciudad de México", "MX", -99.1332, 19.4326, 8, 20),
    ("San Luis Potosí", "MX", -100.9855, 22.1565, 2, 10),
    ("Monterrey", "MX", -100.3161, 25.6866, 5, 15),
    ("Saltillo", "MX", -100.9737, 25.4232, 2, 8),
    # Mexico-US border, Mexican side
    ("Nuevo Laredo", "MX", -99.5075, 27.4779, 4, 8),
    ("Reynosa", "MX", -98.2778, 26.0508, 5, 8),
    ("Matamoros", "MX", -97.5044, 25.8690, 4, 8),
    ("Piedras Negras", "MX", -100.5231, 28.7000, 2, 6),
    ("Ciudad Juárez", "MX", -106.4245, 31.6904, 6, 10),
    ("Nogales", "MX", -110.9425, 31.3086, 3, 5),
    ("Mexicali", "MX", -115.4523, 32.6245, 3, 8),
    ("Tijuana", "MX", -117.0382, 32.5149, 8, 10),
    # Central America, Belize, Dominican Republic
    ("Ciudad de Guatemala", "GT", -90.5069, 14.6349, 7, 12),
    ("Quetzaltenango", "GT", -91.5180, 14.8347, 3, 8),
    ("Tecún Umán", "GT", -92.1433, 14.6753, 3, 4),
    ("Huehuetenango", "GT", -91.4714, 15.3197, 2, 8),
    ("San Salvador", "SV", -89.2182, 13.6929, 6, 10),
    ("San Miguel", "SV", -88.1833, 13.4833, 2, 6),
    ("Tegucigalpa", "HN", -87.2068, 14.0723, 5, 10),
    ("San Pedro Sula", "HN", -88.0250, 15.5000, 4, 10),
    ("Managua", "NI", -86.2514, 12.1364, 3, 8),
    ("San José", "CR", -84.0907, 9.9281, 3, 8),
    ("Ciudad de Panamá", "PA", -79.5199, 8.9824, 3, 8),
    ("Metetí", "PA", -77.9700, 8.5000, 2, 10),
    ("Belize City", "BZ", -88.1975, 17.5046, 2, 5),
    ("Santo Domingo", "DO", -69.9312, 18.4861, 3, 8),
    # United States
    ("Los Angeles", "US", -118.2437, 34.0522, 10, 30),
    ("San Diego", "US", -117.1611, 32.7157, 5, 15),
    ("Phoenix", "US", -112.0740, 33.4484, 4, 20),
    ("Tucson", "US", -110.9747, 32.2226, 3, 10),
    ("El Paso", "US", -106.4850, 31.7619, 5, 10),
    ("San Antonio", "US", -98.4936, 29.4241, 4, 15),
    ("McAllen", "US", -98.2300, 26.2034, 4, 10),
    ("Brownsville", "US", -97.4975, 25.9017, 3, 6),
    ("Laredo", "US", -99.5075, 27.5064, 2, 6),
    ("Houston", "US", -95.3698, 29.7604, 8, 25),
    ("Dallas", "US", -96.7970, 32.7767, 5, 20),
    ("Chicago", "US", -87.6298, 41.8781, 6, 20),
    ("New York", "US", -74.0060, 40.7128, 8, 15),
    ("Washington", "US", -77.0369, 38.9072, 4, 15),
    ("Atlanta", "US", -84.3880, 33.7490, 3, 20),
    ("Miami", "US", -80.1918, 25.7617, 5, 15),
    ("Denver", "US", -104.9903, 39.7392, 2, 15),
    ("Seattle", "US", -122.3321, 47.6062, 2, 15),
    # Canada
    ("Toronto", "CA", -79.3832, 43.6532, 3, 15),
    ("Montréal", "CA", -73.5673, 45.5017, 3, 12),
    ("Vancouver", "CA", -123.1207, 49.2827, 2, 10),
)
