"""Named service functions: the only way state changes."""
