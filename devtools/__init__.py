"""Development helpers shared by ``tests/`` and ``bench/``, which never import each other.

Owns what both need to reach the same services and pages the same way: the PostgreSQL
used for throwaway schemas (``postgres``), the tokens the site's forms carry
(``forms``), Debian's Chromium and its flags (``chromium``), gunicorn on a loopback port
(``server``), the help form over plain HTTP (``httpform``) and staff accounts made
through the app (``staff``). Nothing here is part of the site: ``campaign`` never
imports it.
"""
