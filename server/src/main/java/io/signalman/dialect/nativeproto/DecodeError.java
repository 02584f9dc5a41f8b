package io.signalman.dialect.nativeproto;

/** Why a frame could not be decoded, with the request's {@code id} if it was read before the fault. */
record DecodeError(ErrorCode code, String message, String idJson) {}
