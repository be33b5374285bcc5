# SPDX-License-Identifier: Apache-2.0
# tinyaot: the two commands of the README, and friends. Builds go to build/ (parallel by 2).
# `make build` (the default) needs only the build packages, works without root and builds the
# compiler alone (the tinyaot target), warnings left as warnings. The test targets install
# everything (as root), build the test suite too and make every warning an error; so does CI
# (.ci/run). CMake keeps options in its cache: after `make test`, `make build` in the same BUILD
# dir still builds the compiler alone, but with -Werror.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
TEST_FLAGS = -DTA_BUILD_TESTS=ON -DTA_WERROR=ON

# Configure and build quietly: CMake and make report progress on stdout, which is dropped;
# warnings and errors arrive on stderr and stay. $(1): options before the user's CMAKE_FLAGS;
# $(2): the targets (empty: all of them).
cmake_build = cmake -S . -B $(BUILD) $(1) $(CMAKE_FLAGS) >/dev/null && \
  cmake --build $(BUILD) -j $(JOBS) $(2) >/dev/null && echo "built $(BUILD)/tinyaot"

.PHONY: all deps deps-build deps-demo build build-tests test test-full test-asan fuzz demo \
  clean format format-check

all: build

deps:
	@sh scripts/install-deps.sh test

deps-build:
	@sh scripts/install-deps.sh build

deps-demo:
	@sh scripts/install-deps.sh demo

# Only the compiler's target: test programs are not built here even in a build dir where
# `make test` turned TA_BUILD_TESTS on.
build: deps-build
	@$(call cmake_build,,--target tinyaot)

build-tests: deps
	@$(call cmake_build,$(TEST_FLAGS))

# Labels left out of `make test` (a regular expression): the long `full` runs.
TEST_EXCLUDE ?= full
test: build-tests
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE "$(TEST_EXCLUDE)"

test-full: build-tests
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The suite with the compiler and the generated host code under ASan+UBSan. The QEMU runs are
# left out: the firmware is not built with sanitizers, and the compiler paths they take are the
# host runs' (every model of those runs is compiled by the host tests too).
test-asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan TEST_EXCLUDE="full|qemu" \
	  CMAKE_FLAGS="-DTA_SANITIZE=ON $(CMAKE_FLAGS)"

# libFuzzer targets (clang, ASan+UBSan) in their own build dir; each runs FUZZ_SECONDS.
# Warnings are not errors there: clang's -Wconversion is stricter (sign conversions) than the
# gcc build that enforces -Werror, and a fuzz run should not depend on it.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DTA_SANITIZE=ON -DTA_FUZZ=ON \
	  -DTA_BUILD_TESTS=ON -DTA_WERROR=OFF \
	  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link -Wno-sign-conversion" >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_tflite fuzz_onnx fuzz_pipeline \
	  fuzz_backend_desc fuzz_calib fuzz_tune_log make_seeds make_onnx_seeds >/dev/null
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: deps-demo
	@$(call cmake_build,,--target tinyaot)
	@sh examples/demo.sh $(BUILD)

# The repo's .clang-format is written for clang-format 14 (Debian bookworm's); other versions
# may lay out a few constructs differently.
format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@command -v clang-format >/dev/null || \
	  { echo "format-check: clang-format is missing (sh scripts/install-deps.sh test)" >&2; exit 1; }
	@clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-release
