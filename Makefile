# One entry point for everything: `make test` builds what it needs from scratch.
PYTHON ?= python3
VENV := .venv
SDK_VENV := .venv-sdk
SDK_VERSION := 1.39.13
PY := $(VENV)/bin/python
SDK := $(SDK_VENV)/bin/demisto-sdk
PACK := Packs/Docusign
export DEMISTO_SDK_IGNORE_CONTENT_WARNING := 1
# pipefail: a command's status survives the filter of demisto-sdk's noise below.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# demisto-sdk repeats that it cannot read a hosting service from the origin remote (a local path here), and
# prints an empty error list after a clean validation: neither says anything.
SDK_NOISE := grep -v -e "GitUrlParsed" -e "errors were thrown as a part of this pr: \.\s*$$" \
	-e "Validate summary" -e "If the AG100 validation"

.PHONY: test lint typecheck unit validate build demo bench clean

test: lint typecheck unit validate build

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# demisto-sdk pins old tools (pydantic<2, mypy<0.983): it lives in its own environment.
$(SDK_VENV)/.installed:
	test -x $(SDK_VENV)/bin/python || $(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --quiet demisto-sdk==$(SDK_VERSION)
	touch $@

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# devkit includes its tests (devkit/tests); Tests/e2e are the end-to-end tests.
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy Packs/Docusign/Integrations/Docusign/Docusign.py Packs/Docusign/Integrations/Docusign/Docusign_test.py Packs/Docusign/Scripts/DocusignUserWidget/DocusignUserWidget.py Packs/Docusign/Scripts/DocusignUserWidget/DocusignUserWidget_test.py Tests/demistomock devkit conftest.py Tests/e2e Tests/test_platform_conformance.py Tests/test_respond_content.py

unit: $(VENV)/.installed
	$(VENV)/bin/pytest

# demisto-sdk needs a git remote named origin; a throw-away bare repository in build/ serves when there is none.
sdk-git:
	@git remote get-url origin >/dev/null 2>&1 || { \
		git init --quiet --bare build/origin.git && git remote add origin "$(CURDIR)/build/origin.git"; }
	@git rev-parse --verify --quiet HEAD >/dev/null || { echo "demisto-sdk needs at least one commit"; exit 1; }

validate: $(SDK_VENV)/.installed sdk-git
	$(SDK_VENV)/bin/python -m devkit.sdk_config build/validate-offline.toml
	$(SDK) validate -i $(PACK) --config-path build/validate-offline.toml 2>&1 | $(SDK_NOISE)

build: $(SDK_VENV)/.installed sdk-git
	rm -rf build/pack && mkdir -p build/pack
	$(SDK) prepare-content -i $(PACK) -mp marketplacev2 -o build/pack 2>&1 | $(SDK_NOISE)
	@test -s build/pack/Docusign.zip && echo "The pack to upload to XSIAM: $(CURDIR)/build/pack/Docusign.zip"

# The whole path on one machine: emulator, consent, test-module, fetch, XDM mapping.
demo: $(VENV)/.installed
	$(PY) -m devkit demo

# Benchmarks against the emulator; they update docs/benchmarks.md.
bench: $(VENV)/.installed
	$(PY) -m devkit bench all

clean:
	rm -rf build $(VENV) $(SDK_VENV)
