import './app.css';

import { mount } from 'svelte';

import App from './App.svelte';
import { connectEngine } from './transport.js';

const app = mount(App, { target: document.getElementById('app')!, props: { engine: connectEngine() } });

export default app;
