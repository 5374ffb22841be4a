"""The questions users ask of a store (chains, statements, actors, denials, sources,
claims, traces, loops, integrity checks), answered as typed results."""
