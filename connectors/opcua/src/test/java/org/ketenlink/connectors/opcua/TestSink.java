package org.ketenlink.connectors.opcua;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.SampleSink;
import org.ketenlink.connectors.api.SignalInfo;

/** Collects what a source delivers; thread-safe. */
final class TestSink implements SampleSink {

  final List<Sample> samples = new CopyOnWriteArrayList<>();
  final List<SignalInfo> infos = new CopyOnWriteArrayList<>();

  /** Samples and infos in the order they arrived. */
  final List<Object> events = new CopyOnWriteArrayList<>();

  @Override
  public void onSample(Sample sample) {
    samples.add(sample);
    events.add(sample);
  }

  @Override
  public void onSignalInfo(SignalInfo info) {
    infos.add(info);
    events.add(info);
  }

  List<Sample> of(String signalId) {
    return samples.stream().filter(s -> s.signalId().equals(signalId)).toList();
  }

  long count(String signalId) {
    return samples.stream().filter(s -> s.signalId().equals(signalId)).count();
  }

  List<SignalInfo> infosOf(String signalId) {
    return infos.stream().filter(i -> i.signalId().equals(signalId)).toList();
  }
}
