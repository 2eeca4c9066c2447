package org.ketenlink.gateway.journal;

/**
 * The journal cannot do what was asked because of its directory or files: the directory is unusable
 * or locked by another journal, a segment was written by a newer format, or an I/O operation
 * failed. Data-path outcomes (drops by budget or age, corrupt records) are never reported this way;
 * they are counted in {@link JournalStats}.
 */
public final class JournalException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public JournalException(String message) {
    super(message);
  }

  public JournalException(String message, Throwable cause) {
    super(message, cause);
  }
}
