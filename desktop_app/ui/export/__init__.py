"""Exports people can publish: captioned PNG, PDF, standalone HTML, animations, data.

The map is rendered by the real page in an offscreen :class:`MapView`
(:mod:`.render`), finished in Qt (:mod:`.compose`), and written atomically. The CLI
(:mod:`.command`) and the dialog (:mod:`.dialog`) are thin shells over these modules.
"""
