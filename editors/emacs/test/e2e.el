;;; e2e.el --- End-to-end test of runlog-lsp.el with Eglot and the real server  -*- lexical-binding: t; -*-

;; Run by `cargo xtask test' (emacs tier) as: emacs --batch -l editors/emacs/test/e2e.el
;; Environment: RUNLOG_REPO (repository root), RUNLOG_LSP_BIN (the server binary),
;; RUNLOG_FIXTURE (a scratch copy of tests/fixtures/integration/seed-168379.json),
;; RUNLOG_HAR (a copy of tests/fixtures/har/chromium-recorded.pretty.har named *.har).
;; Prints one line per check; exits 0 when all pass, 1 with the reason otherwise.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defvar runlog-e2e-timeout 30 "Seconds to wait for the server at each step.")

(defun runlog-e2e-log (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n") #'external-debugging-output))

(defun runlog-e2e-fail (fmt &rest args)
  (runlog-e2e-log "FAIL: %s" (apply #'format fmt args))
  (kill-emacs 1))

(defun runlog-e2e-check (ok fmt &rest args)
  (if ok
      (runlog-e2e-log "ok: %s" (apply #'format fmt args))
    (apply #'runlog-e2e-fail fmt args)))

(defun runlog-e2e-env (name)
  (let ((value (getenv name)))
    (if (and value (not (string-empty-p value)))
        value
      (runlog-e2e-fail "environment variable %s is not set" name))))

(defun runlog-e2e-wait (predicate)
  "Process events until PREDICATE returns non-nil or the timeout passes; its last value."
  (let ((deadline (+ (float-time) runlog-e2e-timeout))
        (value nil))
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.1))
    value))

(defun runlog-e2e-dir-locals (dir config)
  "Write DIR/.dir-locals.el setting `eglot-workspace-configuration' to CONFIG."
  (with-temp-file (expand-file-name ".dir-locals.el" dir)
    (prin1 `((nil . ((eglot-workspace-configuration . ,config)))) (current-buffer))))

(defun runlog-e2e-run ()
  (let* ((repo (runlog-e2e-env "RUNLOG_REPO"))
         (bin (runlog-e2e-env "RUNLOG_LSP_BIN"))
         (fixture (runlog-e2e-env "RUNLOG_FIXTURE")))
    (runlog-e2e-log "emacs %s" emacs-version)
    (package-initialize) ; Debian's elpa-eglot lives in the package directories.
    (require 'eglot)
    (runlog-e2e-log "eglot from %s" (locate-library "eglot"))
    (add-to-list 'load-path (expand-file-name "editors/emacs" repo))
    (require 'runlog-lsp)
    (setq runlog-lsp-server-command (list bin)
          eglot-sync-connect t
          eglot-autoshutdown t)
    ;; Settings the server must receive, per project in .dir-locals.el as a user writes them:
    ;; 404s become warnings in the logs' folder (the HAR check sees it).
    (runlog-e2e-dir-locals (file-name-directory fixture)
                           '(:runlog (:diagnostics (:minimumStatus 400 :severity (:404 "warning")))))
    (runlog-lsp-setup)

    ;; Ordinary JSON in a JSON mode is left alone: no runlog-lsp there.
    (let ((plain (expand-file-name "package.json" (file-name-directory fixture))))
      (with-temp-file plain
        (insert "{\n  \"name\": \"demo\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {}\n}\n"))
      (find-file plain)
      (run-hooks 'post-command-hook)
      (runlog-e2e-check (not (runlog-lsp-run-log-p)) "package.json does not look like a run log")
      (runlog-e2e-check (null (eglot-current-server))
                        "no server starts for package.json in %s" major-mode)
      (kill-buffer))

    (find-file fixture)
    ;; eglot-ensure connects from post-command-hook, which batch mode never runs: run it as the
    ;; command loop would after find-file.
    (run-hooks 'post-command-hook)
    (runlog-e2e-log "   major mode: %s" major-mode)
    (runlog-e2e-check (runlog-lsp-run-log-p) "the fixture looks like a run log (%s)" major-mode)
    (let ((server (runlog-e2e-wait (lambda () (eglot-current-server)))))
      (runlog-e2e-check (and server (object-of-class-p server 'runlog-lsp-server))
                        "Eglot starts runlog-lsp for the buffer"))

    ;; The position of the failing status code: `"network_code": 400'.
    (goto-char (point-min))
    (runlog-e2e-check (search-forward "\"network_code\": 400" nil t)
                      "the fixture has \"network_code\": 400")
    (let* ((end (point))
           (beg (- end 3))
           (line (line-number-at-pos beg))
           (diags (runlog-e2e-wait
                   (lambda ()
                     (unless (flymake-diagnostics) (flymake-start))
                     (flymake-diagnostics)))))
      (runlog-e2e-check diags "Flymake has diagnostics")
      (dolist (d diags)
        (runlog-e2e-log "   diagnostic line %d type %s: %s"
                        (line-number-at-pos (flymake-diagnostic-beg d))
                        (flymake-diagnostic-type d) (flymake-diagnostic-text d)))
      (let ((errors (cl-remove-if-not (lambda (d) (eq (flymake-diagnostic-type d) 'eglot-error))
                                      diags)))
        (runlog-e2e-check (= (length errors) 1)
                          "exactly one error diagnostic (got %d)" (length errors))
        (let ((d (car errors)))
          (runlog-e2e-check (and (= (flymake-diagnostic-beg d) beg)
                                 (= (flymake-diagnostic-end d) end))
                            "it covers the 400 on line %d" line)
          (runlog-e2e-check (string-match-p "400 Bad Request" (flymake-diagnostic-text d))
                            "its message has \"400 Bad Request\"")
          (runlog-e2e-check (string-match-p "already a list member" (flymake-diagnostic-text d))
                            "its message has the body's \"already a list member\""))))

    ;; Hover at the 400, the request behind ElDoc's display.
    (goto-char (- (point) 2))
    (let* ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                   (eglot--TextDocumentPositionParams)))
           (contents (plist-get hover :contents))
           (text (cond ((stringp contents) contents)
                       ((and (consp contents) (keywordp (car contents)))
                        (or (plist-get contents :value) ""))
                       (t (format "%S" contents)))))
      (runlog-e2e-check (string-match-p "The request was unacceptable" text)
                        "the hover has the definition (\"The request was unacceptable...\")"))

    ;; The code actions at the 400; "Go to response body" run as Eglot runs a chosen action.
    (let* ((server (eglot-current-server))
           (status-point (point))
           (params (append (eglot--TextDocumentPositionParams) nil))
           (position (plist-get params :position))
           (actions (jsonrpc-request
                     server :textDocument/codeAction
                     (list :textDocument (plist-get params :textDocument)
                           :range (list :start position :end position)
                           :context (list :diagnostics
                                          (vconcat (mapcar (lambda (d) (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))))
                                                           (flymake-diagnostics status-point)))))))
           (titles (mapcar (lambda (a) (plist-get a :title)) actions))
           (reveal (cl-find-if (lambda (a) (string-prefix-p "Go to response body" (plist-get a :title)))
                               actions))
           (command (and reveal (or (plist-get reveal :command) reveal)))
           (body-line (save-excursion
                        (search-forward "Member Exists" nil t)
                        (line-number-at-pos))))
      (runlog-e2e-log "   code actions: %s" (mapconcat #'identity titles " | "))
      (dolist (want '("View payload" "Go to response body" "Unfold response body"))
        (runlog-e2e-check (cl-some (lambda (title) (string-prefix-p want title)) titles)
                          "a code action titled \"%s...\"" want))
      (eglot-execute-command server (intern (plist-get command :command))
                             (plist-get command :arguments))
      (runlog-e2e-check (= (line-number-at-pos) body-line)
                        "\"Go to response body\" moves point to the body on line %d (it is on %d)"
                        body-line (line-number-at-pos))
      (goto-char status-point))

    ;; M-x runlog-lsp-view-payload at the 400.
    (let* ((buffer (runlog-lsp-view-payload))
           (text (and (bufferp buffer) (with-current-buffer buffer (buffer-string)))))
      (runlog-e2e-check (bufferp buffer) "runlog-lsp-view-payload opens a payload buffer")
      (runlog-e2e-check (with-current-buffer buffer buffer-read-only) "the payload buffer is read-only")
      (runlog-e2e-check (string-match-p "already a list member" text)
                        "the payload shows the response body")
      (runlog-e2e-check (not (string-match-p "YW55c3RyaW5nOjVmM2E5YzFk" text))
                        "the payload does not show the Authorization secret"))

    ;; A HAR recorded by Chromium: *.har opens in runlog-json-mode and gets the same server.
    (find-file (runlog-e2e-env "RUNLOG_HAR"))
    (run-hooks 'post-command-hook)
    (runlog-e2e-check (eq major-mode 'runlog-json-mode)
                      "a *.har file opens in runlog-json-mode (%s)" major-mode)
    (let ((diags (runlog-e2e-wait
                  (lambda ()
                    (unless (flymake-diagnostics) (flymake-start))
                    (flymake-diagnostics)))))
      (runlog-e2e-check
       (cl-some (lambda (d) (and (eq (flymake-diagnostic-type d) 'eglot-error)
                                 (string-match-p "400 Bad Request: Member Exists"
                                                 (flymake-diagnostic-text d))))
                diags)
       "the Chromium HAR's 400 gets an error diagnostic (of %d)" (length diags))
      (runlog-e2e-check
       (cl-some (lambda (d) (and (eq (flymake-diagnostic-type d) 'eglot-warning)
                                 (string-match-p "404 Not Found" (flymake-diagnostic-text d))))
                diags)
       "the HAR's 404 is a warning, as .dir-locals.el's eglot-workspace-configuration asks"))

    ;; The user's way: M-x eglot-code-actions at the 400, picking "View payload" from the menu.
    (dolist (b (buffer-list))
      (when (string-prefix-p "*runlog payload" (buffer-name b)) (kill-buffer b)))
    (let ((before (buffer-list)))
      (with-current-buffer (find-buffer-visiting (runlog-e2e-env "RUNLOG_FIXTURE"))
        (goto-char (point-min))
        (search-forward "\"network_code\": 400")
        (goto-char (- (point) 2))
        (let ((last-nonmenu-event ?\r) ; a keyboard event: Eglot asks with completing-read
              (completing-read-function
               (lambda (_prompt collection &rest _)
                 (or (cl-find-if (lambda (title) (string-prefix-p "View payload" title))
                                 (mapcar #'car collection))
                     ""))))
          (eglot-code-actions (point) nil nil t)))
      (let ((new (cl-find-if (lambda (b) (and (not (memq b before))
                                              (string-prefix-p "*runlog payload" (buffer-name b))))
                             (buffer-list))))
        (runlog-e2e-check new "eglot-code-actions -> \"View payload\" opens a payload buffer")
        (runlog-e2e-check (with-current-buffer new
                            (string-match-p "already a list member" (buffer-string)))
                          "that payload shows the response body")))

    ;; Another project whose .dir-locals.el makes 400 a warning: its copy of the seed gets a
    ;; warning, not an error, at the 400 (eglot-workspace-configuration, read per project).
    (let* ((other (expand-file-name "other-project/" (file-name-directory
                                                     (directory-file-name
                                                      (file-name-directory fixture)))))
           (copy (expand-file-name "seed.json" other)))
      (make-directory other t)
      (copy-file fixture copy t)
      (runlog-e2e-dir-locals other '(:runlog (:diagnostics (:severity (:400 "warning")))))
      (find-file copy)
      (run-hooks 'post-command-hook)
      (let ((server (runlog-e2e-wait (lambda () (eglot-current-server)))))
        (runlog-e2e-check (and server (not (eq server (with-current-buffer
                                                          (find-buffer-visiting fixture)
                                                        (eglot-current-server)))))
                          "the other project gets its own runlog-lsp"))
      (let ((diags (runlog-e2e-wait
                    (lambda ()
                      (unless (flymake-diagnostics) (flymake-start))
                      (flymake-diagnostics)))))
        (dolist (d diags)
          (runlog-e2e-log "   other project: line %d type %s: %s"
                          (line-number-at-pos (flymake-diagnostic-beg d))
                          (flymake-diagnostic-type d) (flymake-diagnostic-text d)))
        (runlog-e2e-check
         (cl-some (lambda (d) (and (eq (flymake-diagnostic-type d) 'eglot-warning)
                                   (string-match-p "400 Bad Request" (flymake-diagnostic-text d))))
                  diags)
         "its .dir-locals.el reaches the server: the 400 is a warning there")
        (runlog-e2e-check
         (not (cl-some (lambda (d) (eq (flymake-diagnostic-type d) 'eglot-error)) diags))
         "and no error is reported there")))

    (runlog-e2e-log "PASS: emacs e2e")
    (ignore-errors (eglot-shutdown (eglot-current-server)))
    (kill-emacs 0)))

(condition-case err
    (runlog-e2e-run)
  (error (runlog-e2e-fail "error in the test script: %S" err)))

;;; e2e.el ends here
