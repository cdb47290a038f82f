// Errors Keystep's own routes throw, named after the response they produce.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export class BadRequest extends HttpError {
  constructor(message: string, code = 'invalid_request') {
    super(400, 'Bad request', message, code);
  }
}

export class Forbidden extends HttpError {
  constructor(message: string, code = 'forbidden') {
    super(403, 'Forbidden', message, code);
  }
}

export class NotFound extends HttpError {
  constructor(message = 'There is nothing here.') {
    super(404, 'Not found', message, 'not_found');
  }
}
