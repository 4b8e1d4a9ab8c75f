//! The rule as data: which keys of an error body play which role. The walk in `json.rs` reads
//! any body with these tables; no vendor has code of its own.

/// Keys whose string is what went wrong, with a rank: among the strings of one object the one
/// with the best sentence shape wins, then the higher rank. `user_message` (Dropbox) and
/// `error_user_msg` (Facebook) are written for people; `title` and a bare `error` are names
/// more often than sentences.
pub(super) const MESSAGE_KEYS: &[(&str, u8)] = &[
    ("user_message", 9),
    ("userMessage", 9),
    ("error_user_msg", 9),
    ("message", 8),
    ("Message", 8),
    ("detail", 8),
    ("error_description", 8),
    ("errorDescription", 8),
    ("description", 7),
    ("Description", 7),
    ("errorMessage", 7),
    ("error_message", 7),
    ("errorMsg", 7),
    ("error_msg", 7),
    ("localizedMessage", 7),
    ("longMessage", 7),
    ("developerMessage", 6),
    ("errorSummary", 6),
    ("error_summary", 6),
    ("faultstring", 6),
    ("faultString", 6),
    ("reason", 6),
    ("msg", 6),
    ("text", 5),
    ("statusMessage", 4),
    ("status_message", 4),
    ("statusText", 4),
    ("title", 3),
    ("error", 2),
    ("Error", 2),
    ("err", 2),
];

/// Inside a message object (`{"message": {"lang": "en", "value": …}}`, SAP OData; Dropbox's
/// `user_message: {"locale", "text"}`), the key holding the text.
pub(super) const MESSAGE_VALUE_KEYS: &[&str] = &["value", "text", "message"];

/// When is a sibling key's value put before the message, as the name of the error.
#[derive(Clone, Copy)]
pub(super) enum PrefixWhen {
    /// Always (problem details' `title` before its `detail`).
    Always,
    /// Before a description (OAuth's `error` before `error_description`; not an error code
    /// next to a `message`, which that message already explains).
    BeforeDescription,
    /// An AWS `__type` (`com.amazon.coral.validate#ValidationException`), its last name.
    AwsType,
    /// A PascalCase name with two capitals or more (`ResourceGroupNotFound`, `NoSuchKey`);
    /// snake_case codes (`card_declined`) only repeat the message.
    Pascal,
    /// An exception class (`index_not_found_exception`, `OAuthException`).
    Exception,
}

/// Keys naming the error, put before its message: "invalid_grant: Token has been expired or
/// revoked.", "index_not_found_exception: no such index [orders]". The first that applies wins;
/// none when the message already says it.
pub(super) const PREFIX_KEYS: &[(&str, PrefixWhen)] = &[
    ("title", PrefixWhen::Always),
    ("error", PrefixWhen::BeforeDescription),
    ("__type", PrefixWhen::AwsType),
    ("code", PrefixWhen::Pascal),
    ("Code", PrefixWhen::Pascal),
    ("type", PrefixWhen::Exception),
];

/// Keys whose identifier is all an error entry says when it has no message
/// (`{"field": "title", "code": "missing_field"}`, Airtable's `{"type": "NOT_FOUND"}`).
pub(super) const CODE_KEYS: &[&str] = &[
    "code",
    "errorCode",
    "error_code",
    "issue",
    "type",
    "status",
    "errorcode",
];

/// Keys naming the field an error entry is about (a JSON pointer is reduced to a path).
pub(super) const FIELD_KEYS: &[&str] = &[
    "field",
    "param",
    "parameter",
    "propertyName",
    "property",
    "propertyPath",
    "target",
    "attribute",
    "pointer",
    "path_name",
];

/// Keys under which sit the error entries the top message summarises: an array of entries, or
/// an object of field → messages (Rails, Django, Laravel, ASP.NET, Zendesk, GitLab's
/// `message`).
pub(super) const LIST_KEYS: &[&str] = &[
    "errors",
    "Errors",
    "error",
    "details",
    "detail",
    "message",
    "messages",
    "errorMessages",
    "fieldViolations",
    "field_violations",
    "fieldErrors",
    "field_errors",
    "invalid-params",
    "invalid_params",
    "invalidParams",
    "violations",
    "validationErrors",
    "validation_errors",
    "subErrors",
    "issues",
    "problems",
    "errordetails",
    "_errors",
];

/// Keys whose entries are the cause of the error around them, more specific than its message:
/// Elasticsearch `root_cause[]`, Okta `errorCauses[]`, `caused_by`, Microsoft `innerError`.
pub(super) const CAUSE_KEYS: &[&str] = &[
    "root_cause",
    "rootCause",
    "caused_by",
    "causedBy",
    "cause",
    "causes",
    "errorCauses",
    "innerError",
    "innererror",
    "inner_error",
];

/// Keys wrapping the error object itself: its message is the body's message
/// (`{"error": {"message"}}`, `{"fault": {"faultstring"}}`, `{"data": {"errors": […]}}`).
pub(super) const WRAPPER_KEYS: &[&str] = &[
    "error", "Error", "fault", "data", "response", "result", "body", "payload", "problem",
];

/// Keys of a field-error object that name no field (Django `non_field_errors`, Rails `base`).
pub(super) const NON_FIELD_KEYS: &[&str] = &["non_field_errors", "base", "__all__", "general"];

/// Keys whose (string or number) values are worth a line in the detail, with their label.
pub(super) const EXTRA_KEYS: &[(&str, &str)] = &[
    ("code", "code"),
    ("errorCode", "code"),
    ("error_code", "code"),
    ("type", "type"),
    ("category", "category"),
    ("status", "status"),
    ("documentation_url", "documentation"),
    ("doc_url", "documentation"),
    ("more_info", "documentation"),
    ("errorLink", "documentation"),
    ("help", "help"),
];

/// Message keys holding a description, which an error code may precede.
pub(super) const DESCRIPTION_KEYS: &[&str] = &[
    "error_description",
    "errorDescription",
    "description",
    "Description",
    "detail",
];

/// Labels in an error page's text after which the page says why, with the labels that end
/// that text: Django's debug page (`Exception Value:`), Cloudflare's (`What happened?`).
pub(super) const PAGE_LABELS: &[(&str, &[&str])] = &[
    (
        "Exception Value:",
        &[
            "Exception Location:",
            "Raised during:",
            "Python Executable:",
        ],
    ),
    ("What happened?", &["What can I do?"]),
];

/// Sentences of an error page that are not the reason: links, advice, signatures.
pub(super) const PAGE_BOILERPLATE: &[&str] = &[
    "for more information",
    "visit ",
    "ray id",
    "powered by",
    "seeing this error because",
    "server at ",
];

/// Elements of an XML error document holding the message, then the code naming it.
pub(super) const XML_MESSAGE_TAGS: &[&str] = &[
    "Message",
    "message",
    "faultstring",
    "errorMessage",
    "Description",
    "description",
];
pub(super) const XML_CODE_TAGS: &[&str] = &["Code", "code", "faultcode", "errorCode"];

/// The line a Python traceback starts with: its reason is not there but in the exception line
/// it ends with (`KeyError: 'amount'`), so this line is never a summary.
pub(super) const TRACEBACK_HEADER: &str = "Traceback (most recent call last):";

/// How a traceback's frame line starts (`  File "/app/views.py", line 58, in create`), and how
/// its source line is indented under it.
pub(super) const TRACEBACK_FRAME: &str = "File \"";
pub(super) const TRACEBACK_SOURCE_INDENT: &str = "    ";
