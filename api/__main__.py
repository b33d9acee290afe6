"""``python -m api [--host H] [--port P]``: serve the API.

The import sits under the ``__main__`` guard on purpose: solver worker processes are started
with ``spawn`` and re-run the main module, and this keeps them from importing the web stack.
"""

if __name__ == "__main__":
    from api.main import main

    main()
