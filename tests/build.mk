# tests/ — see below
