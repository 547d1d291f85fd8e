"""What items are and how they change besides transitions: deliverable kinds, editing,
council votes, delegation, a regulation's versions, periodic reports. Depends on core only.
Importing the package registers the kinds' and council's guard facts and the regulation's
after-transition hook with core.effects."""

from workflow.items import council, kinds, regulation  # noqa: F401
