# SPDX-License-Identifier: Apache-2.0
# tinyaot: the two commands of the README, and friends. Builds go to build/ (parallel by 2).
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build test test-full test-asan fuzz demo clean format

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE full

test-full: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan CMAKE_FLAGS="-DTA_SANITIZE=ON"

# libFuzzer targets (clang, ASan+UBSan) in their own build dir; each runs FUZZ_SECONDS.
# Warnings are not errors there: clang's -Wconversion is stricter (sign conversions) than the
# gcc build that enforces -Werror, and a fuzz run should not depend on it.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DTA_SANITIZE=ON -DTA_FUZZ=ON \
	  -DTA_WERROR=OFF -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link -Wno-sign-conversion" >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_tflite fuzz_onnx fuzz_pipeline make_seeds make_onnx_seeds
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	@sh examples/demo.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
