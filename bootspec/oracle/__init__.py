"""Oracles that check bootspec against independent deciders (soak) and hostile
input (fuzz). Kept light: the command line registers 'soak' and 'fuzz' from
:mod:`bootspec.oracle.commands` without importing the engine."""

#: the families of hostile cases 'bootspec fuzz --family' chooses from
FAMILIES = ("device", "path", "expression", "literal", "cache")
