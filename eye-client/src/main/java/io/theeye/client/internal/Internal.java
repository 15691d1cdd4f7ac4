package io.theeye.client.internal;

import io.theeye.client.EyeClient;

/**
 * The way from {@link EyeClient} to the parts of a client its public API does not show, and to
 * settings only the internals have (such as the retry scheduler): for the client's own tests.
 * {@code EyeClient} installs the one instance when its class is initialized. Internal, not for public
 * use.
 */
public abstract class Internal {

  private static volatile Internal instance;

  /** Installs the instance; called once, by {@code EyeClient}. */
  public static void initialize(Internal internal) {
    instance = internal;
  }

  /** The instance {@code EyeClient} installed (initializing that class first if need be). */
  public static Internal instance() {
    Internal i = instance;
    if (i == null) {
      try {
        Class.forName(EyeClient.class.getName(), true, EyeClient.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      i = instance;
    }
    return i;
  }

  /**
   * The settings of {@code builder} as {@link EyeClient.Builder#build()} would hand them over, to be
   * amended and given to {@link #newClient}.
   *
   * @throws IllegalStateException when a required setting is missing
   */
  public abstract ClientConfig.Builder config(EyeClient.Builder builder);

  /** A client with these settings, its sender thread started. */
  public abstract EyeClient newClient(ClientConfig config);

  /** The machinery behind {@code client}. */
  public abstract ClientCore core(EyeClient client);
}
