"""Framework-free helpers shared by every domain. Nothing here imports Django."""
