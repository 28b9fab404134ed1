import { useState, type FormEvent } from 'react';
import { describeError } from '../api/client.ts';
import { useLogin } from '../api/queries.ts';
import { setLang, useI18n } from '../i18n/index.ts';

export function LoginScreen() {
  const { t, lang } = useI18n();
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ username, password });
  };
  return (
    <div className="login-page">
      <form className="login" onSubmit={submit} aria-labelledby="login-heading">
        <div className="login-brand">
          <strong>{t('app.name')}</strong>
          <span>{t('app.subtitle')}</span>
        </div>
        <h1 id="login-heading">{t('login.heading')}</h1>
        <label>
          {t('login.username')}
          <input
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {login.isError ? (
          <p className="error" role="alert">
            {t('login.failed', { detail: describeError(login.error) })}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? t('login.busy') : t('login.submit')}
        </button>
        <button type="button" className="ghost" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>
          {t('lang.switch')}
        </button>
      </form>
    </div>
  );
}
