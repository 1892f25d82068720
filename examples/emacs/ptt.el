;;; ptt.el --- spawn ptt background tasks about the current file or region -*- lexical-binding: t -*-

;; M-x ptt-task-spawn RET prompt RET
;;   With an active region, the selected text goes with the prompt; the file's
;;   name always does. The task runs in the buffer's directory; its id is shown and
;;   returned.  Install: (load "/path/to/ptt.el"), or put it on `load-path' and
;;   (require 'ptt).

;;; Code:

(defgroup ptt nil "Background coding tasks through ptt-task." :group 'tools)

(defcustom ptt-task-command "ptt-task"
  "The ptt-task executable."
  :type 'string)

(defun ptt--task-text (prompt beg end)
  "PROMPT, the file name, and the text from BEG to END when both are given."
  (concat prompt
          (when buffer-file-name (concat "\n\nFile: " buffer-file-name))
          (when (and beg end)
            (format " (lines %d-%d):\n\n%s\n"
                    (line-number-at-pos beg) (line-number-at-pos (max beg (1- end)))
                    (buffer-substring-no-properties beg end)))))

;;;###autoload
(defun ptt-task-spawn (prompt &optional beg end)
  "Spawn a ptt task with PROMPT about this file (and the region BEG..END).
Returns the task id as a string."
  (interactive
   (append (list (read-string "ptt task: "))
           (when (use-region-p) (list (region-beginning) (region-end)))))
  (let ((text (ptt--task-text prompt beg end))
        (dir (expand-file-name default-directory)))
    (with-temp-buffer
      (insert text)
      ;; '-': the prompt goes through stdin, so no quoting of its text is needed.
      (let ((status (call-process-region (point-min) (point-max) ptt-task-command t t nil
                                         "spawn" "--cwd" dir "-")))
        (let ((out (string-trim (buffer-string))))
          (unless (eq status 0)
            (error "ptt: %s" out))
          (message "ptt: task %s started (ptt-task status %s)" out out)
          out)))))

(provide 'ptt)
;;; ptt.el ends here
