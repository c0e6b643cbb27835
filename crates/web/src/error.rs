//! One error type for every handler, mapped to a status in one `match`,
//! with one JSON body format. Internal details are logged, never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use tsunagi_domain::ParamError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Param(#[from] ParamError),
    #[error("{0}")]
    BadRequest(String),
    #[error("not found")]
    NotFound,
    #[error("internal: {0}")]
    Internal(String),
}

impl From<tsunagi_db::Error> for Error {
    fn from(e: tsunagi_db::Error) -> Error {
        match e {
            tsunagi_db::Error::NotFound(_) => Error::NotFound,
            e => Error::Internal(e.to_string()),
        }
    }
}

impl From<tsunagi_search::Error> for Error {
    fn from(e: tsunagi_search::Error) -> Error {
        Error::Internal(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for Error {
    fn from(e: actix_web::error::BlockingError) -> Error {
        Error::Internal(e.to_string())
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Param(_) | Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let detail = match self {
            Error::Param(p) => {
                Detail { code: "invalid_parameter", message: p.message.clone(), parameter: Some(&p.parameter) }
            }
            Error::BadRequest(m) => Detail { code: "bad_request", message: m.clone(), parameter: None },
            Error::NotFound => Detail { code: "not_found", message: "見つかりません".into(), parameter: None },
            Error::Internal(m) => {
                tracing::error!("{m}");
                Detail {
                    code: "internal",
                    message: "サーバーで問題が起きました。しばらくしてからもう一度お試しください".into(),
                    parameter: None,
                }
            }
        };
        HttpResponse::build(self.status_code()).json(Body { error: detail })
    }
}
