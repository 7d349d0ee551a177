"""The sample frame: every invited unit of a wave with its register variables, linked to the
responses by the pseudonymised sample id (contract: ``docs/frame.md``)."""
