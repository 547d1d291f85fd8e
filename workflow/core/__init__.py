"""The engine's core: states and transitions (machine), who may do what (policy), guards,
the audit chain, `perform` (service) and write transactions. Imports only `models`."""
