;;; runlog-lsp.el --- Eglot configuration for runlog-lsp, the run-log language server  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: languages, tools
;; URL: https://example.invalid/runlog-lsp
;; SPDX-License-Identifier: MIT OR Apache-2.0

;;; Commentary:

;; Registers runlog-lsp with Eglot for HAR and JSON Lines files (runlog-json-mode,
;; runlog-jsonl-mode, defined here) and, in the JSON modes (json-mode, js-json-mode, json-ts-mode,
;; jsonc-mode, and js-mode for *.json on an Emacs without a JSON mode), only for files whose
;; first kilobytes look like a run log (`runlog-lsp-maybe-enable'); M-x runlog-lsp-enable starts
;; it in any buffer.  Other JSON files keep their own server.  runlog-lsp turns failed calls in
;; run logs (integration logs, HAR, Newman reports, JSON Lines) into diagnostics (Flymake),
;; hover text (ElDoc), code actions and go-to-definition.
;;
;; Settings are the `runlog' section of `eglot-workspace-configuration', per project in
;; .dir-locals.el:
;;
;;   ((nil . ((eglot-workspace-configuration
;;             . (:runlog (:diagnostics (:minimumStatus 500)))))))
;;
;;   (add-to-list 'load-path "/path/to/runlog-lsp/editors/emacs")
;;   (require 'runlog-lsp)
;;   (runlog-lsp-setup)
;; M-x runlog-lsp-view-payload shows the payload of the call at point (request and response,
;; body decoded, secrets redacted) in a read-only buffer.

;;; Code:

(require 'eglot)
(require 'cl-lib)
(require 'js)

(defgroup runlog-lsp nil
  "The runlog-lsp language server for run logs."
  :group 'eglot
  :prefix "runlog-lsp-")

(defcustom runlog-lsp-server-command '("runlog-lsp")
  "The command that starts runlog-lsp: the program and its arguments."
  :type '(repeat string))

(defcustom runlog-lsp-modes
  '((runlog-json-mode :language-id "json")
    (runlog-jsonl-mode :language-id "jsonl"))
  "Major modes that are runlog-lsp's alone, with the languageId of each."
  :type '(repeat sexp))

(defcustom runlog-lsp-json-modes
  '(json-mode js-json-mode json-ts-mode jsonc-mode js-mode)
  "JSON major modes in which `runlog-lsp-maybe-enable' looks for run logs.
`js-mode' is there for *.json files on an Emacs without a JSON mode; only
files named *.json, *.jsonc or *.har are looked at."
  :type '(repeat symbol))

(defcustom runlog-lsp-auto-start t
  "When non-nil, `runlog-lsp-setup' starts Eglot in run logs.
That is: in `runlog-lsp-modes', and in `runlog-lsp-json-modes' when
`runlog-lsp-maybe-enable' finds a run log."
  :type 'boolean)

(defcustom runlog-lsp-sniff-size 8192
  "How many characters of a JSON file `runlog-lsp-maybe-enable' reads."
  :type 'integer)

;;;###autoload
(define-derived-mode runlog-json-mode js-mode "RunLog-JSON"
  "Major mode for JSON run logs: HAR files, and JSON without a JSON mode.")

;;;###autoload
(define-derived-mode runlog-jsonl-mode runlog-json-mode "RunLog-JSONL"
  "Major mode for JSON Lines logs: one JSON value per line.")

(defclass runlog-lsp-server (eglot-lsp-server) ()
  "An Eglot connection to runlog-lsp.")

(defun runlog-lsp--settings (server)
  "The `runlog' section of `eglot-workspace-configuration' for SERVER's project.
Read as Eglot reads it for workspace/configuration: with the project's
directory-local variables."
  (with-temp-buffer
    (setq default-directory (file-name-as-directory (project-root (eglot--project server))))
    (setq-local major-mode (car (eglot--major-modes server)))
    (hack-dir-local-variables-non-file-buffer)
    (let ((config (eglot--workspace-configuration-plist server)))
      (or (plist-get config :runlog) eglot--{}))))

(cl-defmethod eglot-initialization-options ((server runlog-lsp-server))
  "Send the `runlog' section of `eglot-workspace-configuration'.
It goes out as initializationOptions."
  (list :runlog (runlog-lsp--settings server)))

(cl-defmethod eglot-handle-request
  ((server runlog-lsp-server) (_method (eql workspace/configuration)) &key items)
  "Answer from `eglot-workspace-configuration' as Eglot does.
runlog-lsp asks without a scopeUri, which Eglot 1.9 cannot turn into a
directory: point such items at the project root, then let Eglot answer."
  (let ((root (eglot--path-to-uri (project-root (eglot--project server)))))
    (cl-call-next-method
     server 'workspace/configuration
     :items (apply #'vector
                   (mapcar (lambda (item)
                             (if (plist-get item :scopeUri)
                                 item
                               (append (list :scopeUri root) item)))
                           items)))))

(defun runlog-lsp--contact (&optional _interactive)
  "The Eglot contact for runlog-lsp."
  (cons 'runlog-lsp-server runlog-lsp-server-command))

;;;###autoload
(defun runlog-lsp-register ()
  "Add runlog-lsp to `eglot-server-programs' for `runlog-lsp-modes'."
  (setq eglot-server-programs
        (cons (cons runlog-lsp-modes #'runlog-lsp--contact)
              (cl-remove-if (lambda (entry) (eq (cdr entry) #'runlog-lsp--contact))
                            eglot-server-programs))))

(defconst runlog-lsp--markers
  (concat "\"\\(?:network_code\\|statusCode\\|status_code\\|responseCode"
          "\\|executions\\|entries\\|runs\\|steps\\|response\\|status\\)\"[[:space:]]*:")
  "Keys that run logs have (integration logs, HAR, Newman, JSON with a status).")

(defun runlog-lsp-run-log-p ()
  "Non-nil when the current buffer's first kilobytes look like a run log.
Looks at `runlog-lsp-sniff-size' characters for the keys of HAR captures,
Newman reports, integration run logs and status/response pairs."
  (save-excursion
    (save-restriction
      (widen)
      (goto-char (point-min))
      (let ((case-fold-search nil))
        (re-search-forward runlog-lsp--markers
                           (min (point-max) (+ (point-min) runlog-lsp-sniff-size)) t)))))

;;;###autoload
(defun runlog-lsp-enable ()
  "Start runlog-lsp (Eglot) in the current buffer, whatever its major mode."
  (interactive)
  (unless (assq major-mode runlog-lsp-modes)
    (setq-local eglot-server-programs
                (cons (cons (list (list major-mode :language-id "json")) #'runlog-lsp--contact)
                      eglot-server-programs)))
  (eglot-ensure))

;;;###autoload
(defun runlog-lsp-maybe-enable ()
  "Start runlog-lsp in a JSON buffer whose file looks like a run log.
For `runlog-lsp-json-modes' hooks; other JSON files are left to their server."
  (when (and buffer-file-name
             (string-match-p "\\.\\(?:json\\|jsonc\\|har\\)\\'" buffer-file-name)
             (runlog-lsp-run-log-p))
    (runlog-lsp-enable)))

;;;###autoload
(defun runlog-lsp-setup ()
  "Register runlog-lsp with Eglot and map *.har, *.jsonl, *.ndjson to its modes.
With `runlog-lsp-auto-start', start Eglot in those modes, and in the JSON
modes for files that look like run logs (`runlog-lsp-maybe-enable')."
  (runlog-lsp-register)
  (add-to-list 'auto-mode-alist '("\\.har\\'" . runlog-json-mode))
  (add-to-list 'auto-mode-alist '("\\.\\(?:jsonl\\|ndjson\\)\\'" . runlog-jsonl-mode))
  (when runlog-lsp-auto-start
    (dolist (entry runlog-lsp-modes)
      (let ((mode (if (consp entry) (car entry) entry)))
        (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure)))
    (dolist (mode runlog-lsp-json-modes)
      (add-hook (intern (format "%s-hook" mode)) #'runlog-lsp-maybe-enable))))

(defun runlog-lsp--server ()
  "The runlog-lsp server of the current buffer, or an error."
  (let ((server (eglot-current-server)))
    (unless (and server (cl-typep server 'runlog-lsp-server))
      (user-error "runlog-lsp is not running for this buffer (M-x eglot)"))
    server))

;;;###autoload
(defun runlog-lsp-view-payload ()
  "Show the payload of the call at point (request runlog/payload), read-only.
Returns the payload buffer, or nil when there is no call at point."
  (interactive)
  (runlog-lsp--request-payload (runlog-lsp--server) (eglot--TextDocumentPositionParams)))

(defun runlog-lsp--request-payload (server params)
  "Ask SERVER for the payload at PARAMS ({textDocument, position}) and show it."
  (let ((result (jsonrpc-request server :runlog/payload params)))
    (if (null result)
        (progn (message "runlog: no call at point") nil)
      (runlog-lsp--show-payload result))))

(defun runlog-lsp--goto-location (location)
  "Visit LOCATION (an LSP Location or LocationLink, or a vector of them)."
  (when (vectorp location)
    (setq location (and (> (length location) 0) (aref location 0))))
  (if (null location)
      (message "runlog: no response body here")
    (let ((uri (or (plist-get location :targetUri) (plist-get location :uri)))
          (range (or (plist-get location :targetSelectionRange) (plist-get location :range))))
      (find-file (eglot--uri-to-path uri))
      (goto-char (eglot--lsp-position-to-point (plist-get range :start))))))

(cl-defmethod eglot-execute-command ((server runlog-lsp-server) command arguments)
  "Run COMMAND of SERVER client-side, so that its code actions show something.
Eglot neither displays executeCommand results nor handles
window/showDocument.  ARGUMENTS is [{uri, position}]."
  (let* ((target (and (vectorp arguments) (> (length arguments) 0) (aref arguments 0)))
         (params (and target (list :textDocument (list :uri (plist-get target :uri))
                                   :position (plist-get target :position)))))
    (pcase (format "%s" command)
      ((and "runlog.viewPayload" (guard params))
       (runlog-lsp--request-payload server params))
      ((and "runlog.revealBody" (guard params))
       (runlog-lsp--goto-location (jsonrpc-request server :textDocument/definition params)))
      (_ (cl-call-next-method)))))

(defun runlog-lsp--show-payload (result)
  "Display RESULT (a plist with :title, :language, :content) in a read-only buffer."
  (let ((buffer (get-buffer-create
                 (format "*runlog payload: %s*" (or (plist-get result :title) "payload")))))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (or (plist-get result :content) ""))
        (goto-char (point-min)))
      ;; js-mode for highlighting only: the payload is not a file, so no server attaches.
      (if (member (plist-get result :language) '("json" "jsonc" nil))
          (js-mode)
        (fundamental-mode))
      (setq buffer-read-only t)
      (set-buffer-modified-p nil))
    (display-buffer buffer '(display-buffer-pop-up-window))
    buffer))

(provide 'runlog-lsp)
;;; runlog-lsp.el ends here
