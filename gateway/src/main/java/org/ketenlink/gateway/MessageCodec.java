package org.ketenlink.gateway;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ketenlink.connectors.api.Message;

/**
 * How a {@link Message} is stored in a link's journal. Versioned so a newer gateway can still read
 * the backlog an older one left behind.
 */
final class MessageCodec {

  private static final byte VERSION = 1;

  private MessageCodec() {}

  static byte[] encode(Message m) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(m.payload().length + 128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeUTF(m.topic());
      out.writeByte(m.qos());
      out.writeBoolean(m.retained());
      out.writeLong(m.expiry().map(Duration::toMillis).orElse(-1L));
      out.writeUTF(m.contentType());
      out.writeShort(m.userProperties().size());
      for (Map.Entry<String, String> e : m.userProperties().entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.writeInt(m.payload().length);
      out.write(m.payload());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * @throws IllegalArgumentException for a record this version cannot read
   */
  static Message decode(byte[] record) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException(
            "journal record version " + version + " is not supported");
      }
      String topic = in.readUTF();
      int qos = in.readByte();
      boolean retained = in.readBoolean();
      long expiry = in.readLong();
      String contentType = in.readUTF();
      int props = in.readShort();
      Map<String, String> user = new LinkedHashMap<>();
      for (int i = 0; i < props; i++) {
        user.put(in.readUTF(), in.readUTF());
      }
      byte[] payload = new byte[in.readInt()];
      in.readFully(payload);
      return new Message(
          topic,
          payload,
          qos,
          retained,
          expiry < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(expiry)),
          contentType,
          user);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable journal record: " + e.getMessage(), e);
    }
  }
}
