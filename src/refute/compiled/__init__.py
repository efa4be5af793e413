"""The compiled backend: a model lowered to a small IR (:mod:`.ir`, from TLA+ by
:mod:`.from_tla`), emitted as C (:mod:`.emit_c`) over a native value runtime (``runtime/``),
built with the system's C compiler and cached (:mod:`.native`), and explored natively with the
interpreter's exact results (:mod:`.backend`)."""
