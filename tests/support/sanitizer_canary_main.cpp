// A program with one deliberate sanitizer finding per mode (leak, use-after-free,
// undefined), for the test that proves the ASan suite sees reports from processes
// whose exit status nobody checks. Only the sanitizer build runs it.
#include <cstdio>
#include <cstring>

namespace {
volatile int sink;
int* volatile kept;

// Reached only past a fault: ASan and UBSan (halt_on_error, -fno-sanitize-recover) stop
// the process at it, so getting here means the build does not catch what the suite
// relies on it catching.
int assert_fault_was_caught(const char* mode) {
  std::fprintf(stderr, "FAIL: sanitizer-canary %s: the fault ran on uncaught\n", mode);
  return 3;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sanitizer-canary leak|use-after-free|undefined\n");
    return 2;
  }
  if (std::strcmp(argv[1], "leak") == 0) {
    kept = new int[16];
    kept = nullptr;  // the only pointer is gone: LeakSanitizer reports it at exit
  } else if (std::strcmp(argv[1], "use-after-free") == 0) {
    int* volatile freed = new int[4];
    delete[] freed;
    sink = freed[0];
    return assert_fault_was_caught("use-after-free");
  } else if (std::strcmp(argv[1], "undefined") == 0) {
    volatile int big = 0x7fffffff;
    sink = big + 1;  // signed overflow
    return assert_fault_was_caught("undefined");
  } else {
    std::fprintf(stderr, "sanitizer-canary: unknown mode '%s' (leak|use-after-free|undefined)\n", argv[1]);
    return 2;
  }
  return 0;  // leak: reported by LeakSanitizer at exit
}
