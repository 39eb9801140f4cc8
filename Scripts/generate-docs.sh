#!/usr/bin/env bash
# Regenerates the man page (Docs/man/vmctl.1) and the shell completion scripts
# (Docs/completions/) from vmctl's command tree. Run after changing commands;
# VMCtlKitTests checks the committed man page names every command.
# Usage: Scripts/generate-docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product vmctl
mkdir -p Docs/man Docs/completions
swift package --allow-writing-to-package-directory generate-manual --date "$(date +%Y-%m-%d)" --output-directory "$PWD/Docs/man"
for shell in bash zsh fish; do
  .build/debug/vmctl --generate-completion-script $shell >Docs/completions/vmctl.$shell
done
echo "generate-docs: Docs/man/vmctl.1 and Docs/completions/vmctl.{bash,zsh,fish}"
