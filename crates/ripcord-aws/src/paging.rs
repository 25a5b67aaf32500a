//! `AllPages`: every item of a paginated list request, or the request's error as a `BackendError`.

use crate::errors::{FromSdk, Op};
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use ripcord_core::BackendError;

/// Collects a paginator's item stream (`request.into_paginator().items().send()`).
pub(crate) trait AllPages<T> {
    async fn all(self, op: Op) -> Result<Vec<T>, BackendError>;
}

impl<T, E> AllPages<T> for PaginationStream<Result<T, SdkError<E, HttpResponse>>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    async fn all(self, op: Op) -> Result<Vec<T>, BackendError> {
        self.collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|err| op.sdk(err))
    }
}
