"""Import and export formats, one module each, registered in ``registry``."""
