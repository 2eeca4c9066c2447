package org.ketenlink.simulator;

/**
 * The result of an order or fault command: a value, not an exception, so the OPC UA layer can map
 * it to a status code and tests can assert it.
 */
record Outcome(Status status, String message) {

  enum Status {
    OK,
    NOT_FOUND,
    INVALID_ARGUMENT,
    INVALID_STATE,
    ALREADY_EXISTS
  }

  static final Outcome OK = new Outcome(Status.OK, "ok");

  static Outcome notFound(String message) {
    return new Outcome(Status.NOT_FOUND, message);
  }

  static Outcome invalidArgument(String message) {
    return new Outcome(Status.INVALID_ARGUMENT, message);
  }

  static Outcome invalidState(String message) {
    return new Outcome(Status.INVALID_STATE, message);
  }

  static Outcome alreadyExists(String message) {
    return new Outcome(Status.ALREADY_EXISTS, message);
  }

  boolean ok() {
    return status == Status.OK;
  }
}
