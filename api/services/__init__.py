"""Services on the database that several entry points share (the API, the web workbench, the command line)."""
