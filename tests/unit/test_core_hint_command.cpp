#include <catch2/catch.hpp>

#include "core/cli.h"

using ptt::set_hint_command;
using ptt::with_hint_command;

TEST_CASE("hints name the command set for them (ptt-task --host)", "[core][cli]") {
  // Unset: every message stays as it is.
  CHECK(with_hint_command("see `ptt-task logs 3`") == "see `ptt-task logs 3`");

  set_hint_command("ptt-task", "ptt-task --host devbox");
  CHECK(with_hint_command("task 2 failed; see `ptt-task logs 2`") ==
        "task 2 failed; see `ptt-task --host devbox logs 2`");
  CHECK(with_hint_command("answer with `ptt-task allow 4` or `ptt-task deny 4`") ==
        "answer with `ptt-task --host devbox allow 4` or `ptt-task --host devbox deny 4`");
  // A hint naming a host already, the program outside backquotes, and other programs stay.
  CHECK(with_hint_command("run `ptt-task --host local list`") == "run `ptt-task --host local list`");
  CHECK(with_hint_command("ptt-task logs 3 and `ptt-taskd --help`") ==
        "ptt-task logs 3 and `ptt-taskd --help`");
  CHECK(with_hint_command("") == "");
  // In parentheses too (a watch line's "(ptt-task allow 3 / deny 3)", an activity's).
  CHECK(with_hint_command("asks Bash  (ptt-task allow 3 / deny 3)") ==
        "asks Bash  (ptt-task --host devbox allow 3 / deny 3)");
  CHECK(with_hint_command("interrupted: waiting for a message (ptt-task send 3 TEXT); `ptt-task logs 3`") ==
        "interrupted: waiting for a message (ptt-task --host devbox send 3 TEXT); `ptt-task --host devbox "
        "logs 3`");
  CHECK(with_hint_command("the ptt-task logs and (ptt-taskd x)") == "the ptt-task logs and (ptt-taskd x)");
  CHECK(with_hint_command("ends with `ptt-task ") == "ends with `ptt-task --host devbox ");

  set_hint_command("ptt-task", "ptt-task");  // as before, for the other tests in this process
}
