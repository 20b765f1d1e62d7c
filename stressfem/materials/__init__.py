"""Materials: the isotropic thermoelastic law, the shipped library and case overrides."""

from .library import LIBRARY, library_material, library_names
from .material import Material
from .resolve import resolve_materials

__all__ = ["LIBRARY", "Material", "library_material", "library_names", "resolve_materials"]
