#!/bin/bash
# managed identity from the server's environment: IMDS override, App Service,
# Azure Arc's challenge, AZURE_AUTHORITY_HOST (see identity.py)
exec python3 "$(dirname "$0")/identity.py"
