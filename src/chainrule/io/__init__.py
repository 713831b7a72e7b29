"""Files: chainrule's model files (one bounded reader, no pickle), the atomic writer every
file goes through, and looking inside ``.npz`` archives before trusting them.

* :mod:`~chainrule.io.model`: :func:`save`, :func:`load`, :func:`read_metadata`, :func:`read_params`
  (``load_params``), :class:`ModelFileError`: the one reader of model files;
* :mod:`~chainrule.io.bounds`: the bounds of every architecture, checked by arithmetic before anything is built;
* :mod:`~chainrule.io.files`: :func:`~chainrule.io.files.atomic_path`, :func:`~chainrule.io.files.write_text`,
  :func:`~chainrule.io.files.atomic_folder`, and the output rule every writer follows
  (:func:`~chainrule.io.files.check_output`, :class:`~chainrule.io.files.OutputError`);
* :mod:`~chainrule.io.npz`: member headers and sizes of ``.npz`` archives.

This room sits under the book's modules: the networks save and load themselves through it
(``save_params``, ``load_params``) and register their classes in :data:`NETWORKS`; it imports
nothing else of chainrule.
"""

from .model import FORMAT_VERSION, NETWORKS, ModelFileError, load, load_with_metadata, read_metadata, read_params, save

__all__ = ["FORMAT_VERSION", "NETWORKS", "ModelFileError", "load", "load_with_metadata", "read_metadata", "read_params",
           "save"]
