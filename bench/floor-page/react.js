// The page-load floor with the UI's own React: one element, drawn by
// react-dom as the app draws its pages. See bench/floor.ts.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')).render(createElement('p', { id: 'floor-drawn' }, 'drawn'));
