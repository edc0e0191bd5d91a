"""The monthly transparency report for the assembly (informe mensual), and its publication."""
