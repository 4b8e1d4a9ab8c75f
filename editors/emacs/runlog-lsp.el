;;; runlog-lsp.el --- Eglot configuration for runlog-lsp, the run-log language server  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: languages, tools
;; URL: https://example.invalid/runlog-lsp
;; SPDX-License-Identifier: MIT OR Apache-2.0

;;; Commentary:

;; Registers runlog-lsp with Eglot for JSON buffers (json-mode, js-json-mode, jsonc-mode,
;; json-ts-mode) and for HAR and JSON Lines files (runlog-json-mode, runlog-jsonl-mode, defined
;; here).  runlog-lsp turns failed calls in run logs (integration logs, HAR, Newman reports, JSON
;; Lines) into diagnostics (Flymake), hover text (ElDoc), code actions and go-to-definition; it
;; decides by content whether a document is a run log, so ordinary JSON stays silent.
;;
;;   (add-to-list 'load-path "/path/to/runlog-lsp/editors/emacs")
;;   (require 'runlog-lsp)
;;   (runlog-lsp-setup)          ; registers the server; starts it in those modes
;;
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

(defcustom runlog-lsp-settings nil
  "The `runlog.*' settings: a plist nested like the JSON keys, minus `runlog'.
Example: (:diagnostics (:minimumStatus 400) :redact [\"X-Session\"]).
Sent as initializationOptions and returned for workspace/configuration
\(section \"runlog\").  Use vectors for JSON arrays."
  :type 'plist)

(defcustom runlog-lsp-modes
  '((json-mode :language-id "json")
    (js-json-mode :language-id "json")
    (json-ts-mode :language-id "json")
    (jsonc-mode :language-id "jsonc")
    (runlog-json-mode :language-id "json")
    (runlog-jsonl-mode :language-id "jsonl"))
  "Major modes whose buffers runlog-lsp serves, with the languageId of each."
  :type '(repeat sexp))

(defcustom runlog-lsp-auto-start t
  "When non-nil, `runlog-lsp-setup' starts Eglot in `runlog-lsp-modes'."
  :type 'boolean)

(defcustom runlog-lsp-json-files 'auto
  "Whether `runlog-lsp-setup' opens *.json files in `runlog-json-mode'.
`auto': only when no JSON major mode is available.  (Emacs 28 without
json-mode opens JSON in `js-mode', which runlog-lsp does not claim, so that
JavaScript files keep their own server.)"
  :type '(choice (const auto) (const t) (const nil)))

;;;###autoload
(define-derived-mode runlog-json-mode js-mode "RunLog-JSON"
  "Major mode for JSON run logs: HAR files, and JSON without a JSON mode.")

;;;###autoload
(define-derived-mode runlog-jsonl-mode runlog-json-mode "RunLog-JSONL"
  "Major mode for JSON Lines logs: one JSON value per line.")

(defclass runlog-lsp-server (eglot-lsp-server) ()
  "An Eglot connection to runlog-lsp.")

(defun runlog-lsp--settings-object ()
  "The settings as the JSON object `{\"runlog\": {...}}', or `{}' when unset."
  (if runlog-lsp-settings
      (list :runlog runlog-lsp-settings)
    eglot--{}))

(cl-defmethod eglot-initialization-options ((_server runlog-lsp-server))
  "Send `runlog-lsp-settings' as initializationOptions."
  (runlog-lsp--settings-object))

(cl-defmethod eglot-handle-request
  ((_server runlog-lsp-server) (_method (eql workspace/configuration)) &key items)
  "Answer workspace/configuration from `runlog-lsp-settings', one value per item."
  (apply #'vector
         (mapcar (lambda (item)
                   (let ((section (plist-get item :section)))
                     (cond ((member section '("runlog" nil ""))
                            (if (member section '(nil ""))
                                (runlog-lsp--settings-object)
                              (or runlog-lsp-settings eglot--{})))
                           ((string-prefix-p "runlog." section)
                            (runlog-lsp--lookup (substring section (length "runlog."))))
                           (t nil))))
                 items)))

(defun runlog-lsp--lookup (dotted)
  "The value of DOTTED (\"diagnostics.minimumStatus\") in the settings, or nil."
  (let ((value runlog-lsp-settings))
    (dolist (part (split-string dotted "\\." t) value)
      (setq value (and (listp value) (plist-get value (intern (concat ":" part))))))))

(defun runlog-lsp--contact (&optional _interactive)
  "The Eglot contact for runlog-lsp."
  (cons 'runlog-lsp-server runlog-lsp-server-command))

(defun runlog-lsp--available-modes ()
  "The entries of `runlog-lsp-modes', as `eglot-server-programs' expects them."
  runlog-lsp-modes)

;;;###autoload
(defun runlog-lsp-register ()
  "Add runlog-lsp to `eglot-server-programs', first so that it wins for JSON."
  (setq eglot-server-programs
        (cons (cons (runlog-lsp--available-modes) #'runlog-lsp--contact)
              (cl-remove-if (lambda (entry) (eq (cdr entry) #'runlog-lsp--contact))
                            eglot-server-programs))))

;;;###autoload
(defun runlog-lsp-setup ()
  "Register runlog-lsp with Eglot and map *.har, *.jsonl, *.ndjson to its modes.
With `runlog-lsp-auto-start', start Eglot in the served modes."
  (runlog-lsp-register)
  (add-to-list 'auto-mode-alist '("\\.har\\'" . runlog-json-mode))
  (add-to-list 'auto-mode-alist '("\\.\\(?:jsonl\\|ndjson\\)\\'" . runlog-jsonl-mode))
  (when (or (eq runlog-lsp-json-files t)
            (and (eq runlog-lsp-json-files 'auto)
                 (not (fboundp 'json-mode))
                 (not (fboundp 'js-json-mode))
                 (not (fboundp 'json-ts-mode))))
    (add-to-list 'auto-mode-alist '("\\.json\\'" . runlog-json-mode)))
  (when runlog-lsp-auto-start
    (dolist (entry runlog-lsp-modes)
      (let ((mode (if (consp entry) (car entry) entry)))
        (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure)))))

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
