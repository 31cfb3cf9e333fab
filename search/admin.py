# Search keeps no models of its own yet; saved searches register here.
