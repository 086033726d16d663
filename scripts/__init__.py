"""The template repository's scripts: post-generation, benchmark, seeded faults."""
